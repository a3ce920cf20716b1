import './instrument';
import { runService } from '@herald/service';
import { AppModule } from './app.module';
import { config } from './config';

void runService({ service: 'triggers', module: AppModule.register(config), port: config.PORT, host: config.HOST });
