import './instrument';
import { runService } from '@herald/service';
import { AppModule } from './app.module';
import { config } from './config';

// No body parser: the edge streams request bodies to the services untouched.
void runService({ service: 'edge', module: AppModule.register(config), port: config.PORT, host: config.HOST, bodyParser: false });
